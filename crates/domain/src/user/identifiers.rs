//! A user's email addresses and phone numbers: adding, removing, choosing
//! the primary one, verifying.

use super::{E164, Email, EmailAddress, IdentifierKind, PhoneNumber, User, UserError};
use crate::id::{EmailAddressId, PhoneNumberId};
use crate::time::UnixMillis;

/// What the email and phone lists have in common.
trait Identifier {
    type Id: PartialEq + Clone + AsRef<str>;
    type Value: PartialEq;
    const KIND: IdentifierKind;
    fn id(&self) -> &Self::Id;
    fn value(&self) -> &Self::Value;
    fn verified(&self) -> bool;
    fn set_verified(&mut self, verified: bool, now: UnixMillis);
}

impl Identifier for EmailAddress {
    type Id = EmailAddressId;
    type Value = Email;
    const KIND: IdentifierKind = IdentifierKind::EmailAddress;
    fn id(&self) -> &EmailAddressId {
        &self.id
    }
    fn value(&self) -> &Email {
        &self.email_address
    }
    fn verified(&self) -> bool {
        self.verified
    }
    fn set_verified(&mut self, verified: bool, now: UnixMillis) {
        self.verified = verified;
        self.updated_at = now.max(self.updated_at);
    }
}

impl Identifier for PhoneNumber {
    type Id = PhoneNumberId;
    type Value = E164;
    const KIND: IdentifierKind = IdentifierKind::PhoneNumber;
    fn id(&self) -> &PhoneNumberId {
        &self.id
    }
    fn value(&self) -> &E164 {
        &self.phone_number
    }
    fn verified(&self) -> bool {
        self.verified
    }
    fn set_verified(&mut self, verified: bool, now: UnixMillis) {
        self.verified = verified;
        self.updated_at = now.max(self.updated_at);
    }
}

fn not_found<I: Identifier>(id: &I::Id) -> UserError {
    UserError::IdentifierNotFound {
        kind: I::KIND,
        id: id.as_ref().to_owned(),
    }
}

/// The identifier `id` may become primary: present and verified.
fn check_primary<I: Identifier>(list: &[I], id: &I::Id) -> Result<(), UserError> {
    let item = list
        .iter()
        .find(|i| i.id() == id)
        .ok_or_else(|| not_found::<I>(id))?;
    if item.verified() {
        Ok(())
    } else {
        Err(UserError::Unverified {
            kind: I::KIND,
            id: id.as_ref().to_owned(),
        })
    }
}

/// Adds `item`: refused when its value is already there, or when asked to be
/// primary while unverified. The first one becomes primary in any case.
fn add<I: Identifier>(
    list: &mut Vec<I>,
    primary: &mut Option<I::Id>,
    item: I,
    make_primary: bool,
) -> Result<(), UserError> {
    if list.iter().any(|i| i.value() == item.value()) {
        return Err(UserError::Duplicate { kind: I::KIND });
    }
    if make_primary && !item.verified() {
        return Err(UserError::Unverified {
            kind: I::KIND,
            id: item.id().as_ref().to_owned(),
        });
    }
    if make_primary || primary.is_none() {
        *primary = Some(item.id().clone());
    }
    list.push(item);
    Ok(())
}

/// Removes `id` (the caller checked it is not the last identification);
/// a removed primary passes to the first remaining verified identifier.
fn remove<I: Identifier + Clone>(
    list: &mut Vec<I>,
    primary: &mut Option<I::Id>,
    id: &I::Id,
) -> Result<I, UserError> {
    let index = list
        .iter()
        .position(|i| i.id() == id)
        .ok_or_else(|| not_found::<I>(id))?;
    let removed = list.remove(index);
    if primary.as_ref() == Some(id) {
        *primary = list.iter().find(|i| i.verified()).map(|i| i.id().clone());
    }
    Ok(removed)
}

fn set_verified<I: Identifier>(
    list: &mut [I],
    id: &I::Id,
    verified: bool,
    now: UnixMillis,
) -> Result<bool, UserError> {
    let item = list
        .iter_mut()
        .find(|i| i.id() == id)
        .ok_or_else(|| not_found::<I>(id))?;
    if item.verified() == verified {
        return Ok(false);
    }
    item.set_verified(verified, now);
    Ok(true)
}

impl User {
    pub(super) fn check_primary_email(&self, id: &EmailAddressId) -> Result<(), UserError> {
        check_primary(&self.email_addresses, id)
    }

    pub(super) fn check_primary_phone(&self, id: &PhoneNumberId) -> Result<(), UserError> {
        check_primary(&self.phone_numbers, id)
    }

    fn check_removable(&self) -> Result<(), UserError> {
        if self.identification_count() <= 1 {
            return Err(UserError::LastIdentification);
        }
        Ok(())
    }

    /// The email address with this id.
    pub fn email_address(&self, id: &EmailAddressId) -> Option<&EmailAddress> {
        self.email_addresses.iter().find(|e| &e.id == id)
    }

    /// The phone number with this id.
    pub fn phone_number(&self, id: &PhoneNumberId) -> Option<&PhoneNumber> {
        self.phone_numbers.iter().find(|p| &p.id == id)
    }

    /// `POST /v1/email_addresses`: adds an address. It becomes primary when
    /// asked (it must then be verified) or when it is the first one.
    pub fn add_email_address(
        &mut self,
        id: EmailAddressId,
        email_address: Email,
        verified: bool,
        primary: bool,
        now: UnixMillis,
    ) -> Result<&EmailAddress, UserError> {
        let item = EmailAddress {
            id,
            email_address,
            verified,
            created_at: now,
            updated_at: now,
        };
        add(
            &mut self.email_addresses,
            &mut self.primary_email_address_id,
            item,
            primary,
        )?;
        self.touch(now);
        // Just pushed.
        Ok(&self.email_addresses[self.email_addresses.len() - 1])
    }

    /// `POST /v1/phone_numbers`: adds a number, as
    /// [`User::add_email_address`] does an address.
    pub fn add_phone_number(
        &mut self,
        id: PhoneNumberId,
        phone_number: E164,
        verified: bool,
        primary: bool,
        now: UnixMillis,
    ) -> Result<&PhoneNumber, UserError> {
        let item = PhoneNumber {
            id,
            phone_number,
            verified,
            created_at: now,
            updated_at: now,
        };
        add(
            &mut self.phone_numbers,
            &mut self.primary_phone_number_id,
            item,
            primary,
        )?;
        self.touch(now);
        Ok(&self.phone_numbers[self.phone_numbers.len() - 1])
    }

    /// `DELETE /v1/email_addresses/{id}`: refused for the last
    /// identification; a removed primary passes to the first remaining
    /// verified address, or to none.
    pub fn remove_email_address(
        &mut self,
        id: &EmailAddressId,
        now: UnixMillis,
    ) -> Result<EmailAddress, UserError> {
        if self.email_address(id).is_none() {
            return Err(not_found::<EmailAddress>(id));
        }
        self.check_removable()?;
        let removed = remove(
            &mut self.email_addresses,
            &mut self.primary_email_address_id,
            id,
        )?;
        self.touch(now);
        Ok(removed)
    }

    /// `DELETE /v1/phone_numbers/{id}`, as [`User::remove_email_address`].
    pub fn remove_phone_number(
        &mut self,
        id: &PhoneNumberId,
        now: UnixMillis,
    ) -> Result<PhoneNumber, UserError> {
        if self.phone_number(id).is_none() {
            return Err(not_found::<PhoneNumber>(id));
        }
        self.check_removable()?;
        let removed = remove(
            &mut self.phone_numbers,
            &mut self.primary_phone_number_id,
            id,
        )?;
        self.touch(now);
        Ok(removed)
    }

    /// Makes a verified address of the user's the primary one. Returns
    /// whether it changed.
    pub fn set_primary_email_address(
        &mut self,
        id: &EmailAddressId,
        now: UnixMillis,
    ) -> Result<bool, UserError> {
        self.check_primary_email(id)?;
        if self.primary_email_address_id.as_ref() == Some(id) {
            return Ok(false);
        }
        self.primary_email_address_id = Some(id.clone());
        self.touch(now);
        Ok(true)
    }

    /// Makes a verified number of the user's the primary one.
    pub fn set_primary_phone_number(
        &mut self,
        id: &PhoneNumberId,
        now: UnixMillis,
    ) -> Result<bool, UserError> {
        self.check_primary_phone(id)?;
        if self.primary_phone_number_id.as_ref() == Some(id) {
            return Ok(false);
        }
        self.primary_phone_number_id = Some(id.clone());
        self.touch(now);
        Ok(true)
    }

    /// `PATCH /v1/email_addresses/{id}` with `verified`. Returns whether it
    /// changed. (A primary address stays primary when marked unverified:
    /// verification is checked when a primary is chosen.)
    pub fn set_email_address_verified(
        &mut self,
        id: &EmailAddressId,
        verified: bool,
        now: UnixMillis,
    ) -> Result<bool, UserError> {
        let changed = set_verified(&mut self.email_addresses, id, verified, now)?;
        if changed {
            self.touch(now);
        }
        Ok(changed)
    }

    /// `PATCH /v1/phone_numbers/{id}` with `verified`.
    pub fn set_phone_number_verified(
        &mut self,
        id: &PhoneNumberId,
        verified: bool,
        now: UnixMillis,
    ) -> Result<bool, UserError> {
        let changed = set_verified(&mut self.phone_numbers, id, verified, now)?;
        if changed {
            self.touch(now);
        }
        Ok(changed)
    }
}
